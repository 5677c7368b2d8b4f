// Small conveniences only; the page reads fine with scripts off.
(function () {
  function toggle(boxId, scopeId, keepClass) {
    var box = document.getElementById(boxId);
    var scope = document.getElementById(scopeId);
    if (!box || !scope) return;
    box.addEventListener('change', function () {
      var rows = scope.querySelectorAll('tbody tr');
      for (var i = 0; i < rows.length; i++) {
        rows[i].hidden = box.checked && !rows[i].classList.contains(keepClass);
      }
    });
  }
  toggle('only-failed-tests', 'acceptance', 'failed');
  toggle('only-regressions', 'comparison', 'regression');

  var download = document.getElementById('download-results');
  var data = document.getElementById('results-data');
  if (download && data) {
    download.addEventListener('click', function () {
      var bytes = Uint8Array.from(atob(data.getAttribute('data-results') || ''), function (c) { return c.charCodeAt(0); });
      var url = URL.createObjectURL(new Blob([bytes], { type: 'application/json' }));
      var a = document.createElement('a');
      a.href = url;
      a.download = 'results.json';
      a.click();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    });
  }
})();
