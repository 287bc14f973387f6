// Loaded first, before anything else runs: every console error, uncaught exception, unhandled
// rejection, failed script or stylesheet load and Content-Security-Policy violation, for the
// browser tests (and for anyone who opens the developer tools): window.__cliqdErrors.
window.__cliqdErrors = [];
(function () {
  var original = console.error.bind(console);
  console.error = function () {
    window.__cliqdErrors.push(Array.prototype.map.call(arguments, String).join(" "));
    original.apply(null, arguments);
  };
  // Uncaught exceptions, and our own scripts and stylesheets failing to load (an image a
  // message links to failing is the message's business, not the page's).
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t.tagName === "IMG") return;
    window.__cliqdErrors.push("error: " + (e.message || (t && (t.src || t.href)) || e));
  }, true);
  document.addEventListener("securitypolicyviolation", function (e) {
    window.__cliqdErrors.push("content security policy: " + e.violatedDirective + " " + e.blockedURI);
  });
  window.addEventListener("unhandledrejection", function (e) {
    window.__cliqdErrors.push("unhandled rejection: " + (e.reason && e.reason.stack || e.reason));
  });
})();
