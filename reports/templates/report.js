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

})();
