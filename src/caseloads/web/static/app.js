/* The dashboard's own script: draws the Vega-Lite charts (each already has a table with the
   same figures) and redraws them after htmx swaps part of the page. No inline script anywhere:
   the specs come from data-vl-spec attributes; Vega runs with its expression interpreter so
   that no 'unsafe-eval' is needed, and vega-embed's own style sheet and tooltip styles are
   turned off (the CSP allows no inline style). */
(function () {
  'use strict';

  function drawCharts(root) {
    if (!window.vegaEmbed || !window.vegaInterpreter) { return; }
    var nodes = (root || document).querySelectorAll('[data-vl-spec]');
    Array.prototype.forEach.call(nodes, function (node) {
      if (node.getAttribute('data-drawn')) { return; }
      var spec;
      try { spec = JSON.parse(node.getAttribute('data-vl-spec')); } catch (e) { return; }
      node.setAttribute('data-drawn', '1');
      window.vegaEmbed(node, spec, {
        actions: false,
        defaultStyle: false,
        tooltip: false,
        renderer: 'svg',
        ast: true,
        expr: window.vegaInterpreter.expressionInterpreter
      }).then(function (result) {
        var svg = node.querySelector('svg');
        if (svg) { svg.setAttribute('aria-hidden', 'true'); svg.setAttribute('focusable', 'false'); }
        return result;
      }).catch(function (err) {
        node.textContent = 'The chart could not be drawn; the table below has the same figures.';
        if (window.console) { window.console.warn(err); }
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () { drawCharts(document); });
  document.addEventListener('htmx:afterSettle', function (event) { drawCharts(event.target); });
}());
