// Map interactions for the plan page: click a hazard for its explanation (fetched with
// htmx from the server), click a legend entry to hide a year or the dependencies.
document.addEventListener("click", function (ev) {
  var target = ev.target;
  var hazard = target.closest && target.closest("#plan-map [data-id]");
  if (hazard) {
    var wrap = hazard.closest(".mapwrap");
    var plan = wrap.getAttribute("data-plan");
    var id = hazard.getAttribute("data-id");
    document.querySelectorAll("#plan-map .selected").forEach(function (el) {
      el.classList.remove("selected");
    });
    hazard.classList.add("selected");
    htmx.ajax("GET", "/plans/" + plan + "/hazards/" + encodeURIComponent(id), {
      target: "#hazard-details",
      swap: "innerHTML",
    });
    return;
  }
  var toggle = target.closest && target.closest(".legend [data-toggle]");
  if (toggle) {
    var svg = document.getElementById("plan-map");
    var cls = "hide-" + toggle.getAttribute("data-toggle");
    var hidden = svg.classList.toggle(cls);
    toggle.setAttribute("aria-pressed", hidden ? "false" : "true");
  }
});
