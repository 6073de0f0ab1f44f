// The running total of a ballot (participatory budgeting), added up as the voter ticks boxes or gives
// points: "£48,000 of £150,000 chosen; £102,000 left". The total is a polite live region, so a screen
// reader says it after each change without interrupting. Over the limit it says so in words and turns
// red. It only helps: without scripts the total stays hidden, and the server checks every ballot sent.
//
// The page gives what to add up in data- attributes of [data-module="cw-ballot-total"] (see
// budgeting/_ballot_total.html): data-counts ("cost", "projects" or "points"), data-limit, and for
// costs the id of a json_script block of each project's cost in pounds by its id.

const pounds = (amount) => `£${amount.toLocaleString("en-GB")}`;
const whole = (number) => number.toLocaleString("en-GB");

function chosen(form, counts, costs) {
  if (counts === "points") {
    let points = 0;
    for (const input of form.querySelectorAll('input[name^="points_"]')) {
      const value = Number(input.value.trim());
      if (Number.isInteger(value) && value > 0) points += value;
    }
    return points;
  }
  const ticked = [...form.querySelectorAll('input[name="projects"]:checked')];
  if (counts === "projects") return ticked.length;
  return ticked.reduce((total, box) => total + (Number(costs[box.value]) || 0), 0);
}

function sentence(counts, total, limit) {
  const over = total > limit;
  const apart = Math.abs(limit - total);
  if (counts === "cost") {
    return over
      ? `${pounds(total)} of ${pounds(limit)} chosen; ${pounds(apart)} over the budget. Leave some out.`
      : `${pounds(total)} of ${pounds(limit)} chosen; ${pounds(apart)} left`;
  }
  const what = counts === "points" ? "points given" : "projects chosen";
  return over
    ? `${whole(total)} of ${whole(limit)} ${what}; ${whole(apart)} too many. ${
        counts === "points" ? "Take some away." : "Leave some out."
      }`
    : `${whole(total)} of ${whole(limit)} ${what}; ${whole(apart)} left`;
}

for (const box of document.querySelectorAll('[data-module="cw-ballot-total"]')) {
  const form = box.closest("form");
  const text = box.querySelector(".cw-ballot-total__text");
  const counts = box.dataset.counts;
  const limit = Number(box.dataset.limit);
  let costs = {};
  try {
    costs = box.dataset.costs ? JSON.parse(document.getElementById(box.dataset.costs).textContent) : {};
  } catch {
    costs = null;
  }
  if (!form || !text || !Number.isFinite(limit) || costs === null) continue;

  const update = () => {
    const total = chosen(form, counts, costs);
    const words = sentence(counts, total, limit);
    // Only a change is written, so the live region speaks once per change, not on every key press.
    if (text.textContent !== words) text.textContent = words;
    box.classList.toggle("cw-ballot-total--over", total > limit);
  };
  update();
  box.hidden = false;
  form.addEventListener("change", update);
  form.addEventListener("input", update);
}
