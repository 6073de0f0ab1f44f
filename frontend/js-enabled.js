// Runs first thing in <body>, as a classic blocking script, so the NHS.UK styles for scripts-on apply
// before the page is drawn. It replaces the inline script of the NHS.UK page template, which the
// Content-Security-Policy (script-src 'self', no 'unsafe-inline') would refuse.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
