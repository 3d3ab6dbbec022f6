// The e-ID result page, opened by the chat widget in a window of its own: hands the one-time identity ticket
// (or the reason it failed) to the chat that opened it, to this site's own origin only, then offers to close.
(function () {
  var el = document.getElementById('kg-eid-result');
  if (!el) return;
  var opener = window.opener;
  var ok = el.getAttribute('data-ok') === 'true';
  var origin = el.getAttribute('data-target-origin') || window.location.origin;
  if (opener && !opener.closed) {
    var msg = ok ? { type: 'kg-eid', ok: true, ticket: el.getAttribute('data-ticket') }
                 : { type: 'kg-eid', ok: false, reason: el.getAttribute('data-reason'), message: el.getAttribute('data-message') };
    try { opener.postMessage(msg, origin); } catch (e) { /* the chat is gone: nothing to hand over */ }
  }
  Array.prototype.forEach.call(document.querySelectorAll('[data-eid-close]'), function (b) {
    b.addEventListener('click', function () { window.close(); });
  });
})();
