// The dispatch edit page, progressively enhanced (the page works without this file):
// the preview frame follows the text as it is typed, and the PDF's render progress is polled.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("dispatch-form"), timer = null;
  var previewButton = form && form.querySelector("[formtarget=preview]");
  if (form && previewButton && form.requestSubmit) {
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { form.requestSubmit(previewButton); }, 600);
    });
  }
  var box = document.getElementById("render-status");
  if (!box) return;
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      box.querySelector(".label").textContent = s.label;
      box.querySelector("progress").value = s.progress;
      box.dataset.state = s.state;
      if (s.pdf_url) { box.querySelector(".download").hidden = false; }
      if (s.state === "queued" || s.state === "running") { setTimeout(poll, 1000); }
    });
  }
  poll();
});
