/* GOV.UK Frontend's body classes, set from a file rather than an inline script (the CSP forbids
   inline script). Loaded synchronously at the top of <body>. */
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
