// Swagger UI over the gateway's own /openapi.json, with FastAPI's /docs settings.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // No badge from validator.swagger.io: the page loads nothing from outside the gateway.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
