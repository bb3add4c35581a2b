// Uploads each chosen file to the API in turn, showing a progress bar per file (XHR upload events).
(function () {
  "use strict";
  var form = document.getElementById("upload");
  if (!form) { return; }
  var list = document.getElementById("progress");

  function uploadOne(file) {
    return new Promise(function (resolve) {
      var row = document.createElement("li");
      var label = document.createElement("span");
      label.textContent = file.name + " ";
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      var status = document.createElement("span");
      status.className = "status";
      row.appendChild(label); row.appendChild(bar); row.appendChild(status);
      list.appendChild(row);
      var data = new FormData();
      data.append("file", file, file.name);
      data.append("kind", form.elements.kind.value);
      data.append("classification", form.elements.classification.value);
      data.append("description", form.elements.description.value);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.url);
      xhr.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { bar.value = Math.round(100 * event.loaded / event.total); }
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status === 201) {
          bar.value = 100;
          status.textContent = " " + form.dataset.done + " ";
          var link = document.createElement("a");
          link.href = "/items/" + encodeURIComponent(body.ern);
          link.textContent = body.ern;
          status.appendChild(link);
          row.className = "ok";
        } else {
          status.textContent = " " + form.dataset.failed + ": " + (body.message || xhr.status);
          row.className = "error";
        }
        resolve();
      });
      xhr.addEventListener("error", function () {
        status.textContent = " " + form.dataset.failed;
        row.className = "error";
        resolve();
      });
      xhr.send(data);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var files = Array.prototype.slice.call(form.elements.file.files);
    files.reduce(function (chain, file) {
      return chain.then(function () { return uploadOne(file); });
    }, Promise.resolve()).then(function () { form.dataset.finished = String(files.length); });
  });
})();
