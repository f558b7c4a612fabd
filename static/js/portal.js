// Progressive enhancement only: every page works without this file.
// A "copy" button next to each embed code puts the code on the clipboard.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("textarea[data-copy]").forEach(function (area) {
    if (!navigator.clipboard) return;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = area.dataset.copy;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(area.value).then(function () {
        button.textContent = area.dataset.copied;
      });
    });
    area.insertAdjacentElement("afterend", button);
  });
});
