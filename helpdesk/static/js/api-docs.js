// Starts Swagger UI on /api/v1/docs (templates/swagger_ui.html); kept out of the page for the CSP.
(function () {
  var container = document.getElementById("swagger-ui-container");
  var config = { url: container.dataset.specUrl, dom_id: "#swagger-ui-container" };
  var extra = JSON.parse(document.getElementById("swagger-ui-config").textContent || "{}");
  Object.keys(extra).forEach(function (key) { config[key] = extra[key]; });
  window.ui = window.SwaggerUIBundle(config);
}());
