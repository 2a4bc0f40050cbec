// The front end of helpers.widgets.View: plain HTML controls, a status line read out by screen
// readers when the view changes, and the view the kernel renders. Every control is a native,
// labelled form element, and keeps its keys: JupyterLab's notebook shortcuts (arrow keys move to
// another cell, B inserts one) are not applied to key presses inside it.

let next = 0;

function keepKeys(element) {
  element.setAttribute("data-lm-suppress-shortcuts", "true"); // JupyterLab (Lumino) skips its shortcuts here
  element.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") event.stopPropagation(); // and so does any other host listening above
  });
  return element;
}

function labelFor(text, id) {
  const label = document.createElement("label");
  label.textContent = text;
  label.htmlFor = id;
  return label;
}

function choose(model, name, value) {
  model.set("values", { ...model.get("values"), [name]: value });
  model.save_changes();
}

function build(spec, model) {
  const box = document.createElement("div");
  box.className = `casework-control casework-${spec.kind}`;
  const id = `casework-${spec.name}-${++next}`;
  const value = model.get("values")[spec.name];
  if (spec.kind === "select") {
    const select = keepKeys(document.createElement("select"));
    select.id = id;
    for (const [label, option] of spec.options) select.add(new Option(label, option, false, option === value));
    const tooltip = () => { select.title = select.selectedOptions[0] ? select.selectedOptions[0].text : ""; };
    tooltip();
    select.addEventListener("change", () => { tooltip(); choose(model, spec.name, select.value); });
    box.append(labelFor(spec.label, id), select);
    return [box, (values) => { select.value = values[spec.name]; tooltip(); }];
  }
  if (spec.kind === "slider") {
    const input = keepKeys(document.createElement("input"));
    input.type = "range";
    input.id = id;
    input.min = 0;
    input.max = spec.options.length - 1;
    input.step = 1;
    const shown = document.createElement("output");
    shown.htmlFor = id;
    const place = (index) => {
      input.value = index;
      input.setAttribute("aria-valuetext", spec.options[index][0]); // what is announced: the time, not a position
      shown.textContent = spec.options[index][0];
    };
    place(Math.max(0, spec.options.findIndex(([, option]) => option === value)));
    input.addEventListener("input", () => place(Number(input.value)));
    input.addEventListener("change", () => choose(model, spec.name, spec.options[Number(input.value)][1]));
    box.append(labelFor(spec.label, id), input, shown);
    return [box, (values) => place(Math.max(0, spec.options.findIndex(([, option]) => option === values[spec.name])))];
  }
  if (spec.kind === "checkboxes") {
    const group = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = spec.label;
    group.append(legend);
    const boxes = spec.options.map(([label, option], index) => {
      const check = keepKeys(document.createElement("input"));
      check.type = "checkbox";
      check.id = `${id}-${index}`;
      check.value = option;
      check.checked = value.includes(option);
      check.addEventListener("change", () => choose(model, spec.name, boxes.filter((b) => b.checked).map((b) => b.value)));
      const item = document.createElement("span");
      item.append(check, labelFor(label, check.id));
      group.append(item);
      return check;
    });
    box.append(group);
    return [box, (values) => boxes.forEach((b) => { b.checked = values[spec.name].includes(b.value); })];
  }
  const area = keepKeys(document.createElement("textarea"));
  area.id = id;
  area.rows = 5;
  area.placeholder = spec.placeholder || "";
  area.value = value;
  area.addEventListener("change", () => choose(model, spec.name, area.value)); // when the text area loses focus
  box.append(labelFor(spec.label, id), area);
  return [box, (values) => { if (area.value !== values[spec.name]) area.value = values[spec.name]; }];
}

export default {
  render({ model, el }) {
    el.classList.add("casework-widget");
    const controls = document.createElement("div");
    controls.className = "casework-controls";
    const setters = model.get("controls").map((spec) => {
      const [box, set] = build(spec, model);
      controls.append(box);
      return set;
    });
    const status = document.createElement("p");
    status.className = "casework-status";
    status.setAttribute("role", "status"); // a polite live region: each new view is announced
    const view = document.createElement("div");
    view.className = "casework-view";
    const show = () => { view.innerHTML = model.get("html"); };
    const announce = () => { status.textContent = model.get("status"); };
    const sync = () => setters.forEach((set) => set(model.get("values")));
    const fixed = document.createElement("div"); // what no control changes: drawn once
    fixed.className = "casework-fixed";
    fixed.innerHTML = model.get("fixed");
    show();
    announce();
    model.on("change:html", show);
    model.on("change:status", announce);
    model.on("change:values", sync);
    el.append(controls, status, view, fixed);
    return () => {
      model.off("change:html", show);
      model.off("change:status", announce);
      model.off("change:values", sync);
    };
  },
};
