"""A machine without the optional programs: the tests that need them skip, saying what to install."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _path_without(tmp_path: Path, *programs: str) -> str:
    """A PATH with every program of /usr/bin and /bin but those named, as on a machine that lacks them."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in (Path("/usr/bin"), Path("/bin")):
        for program in folder.iterdir():
            target = bin_dir / program.name
            if program.name not in programs and not target.exists():
                target.symlink_to(program)
    return str(bin_dir)


def test_without_pdftoppm_the_pdf_picture_tests_skip_with_the_package_to_install(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["PATH"] = _path_without(tmp_path, "pdftoppm")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rs",
            "tests/dispatches/test_pdf.py",
            "-k",
            "reference_facts or landscape",  # two read the pages' pictures; the landscape one reads text only
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 passed, 2 skipped" in result.stdout
    assert result.stdout.count("needs pdftoppm (apt-get install poppler-utils)") == 2
