// Passkeys (WebAuthn), as progressive enhancement: the passkey parts of the page stay hidden unless the
// browser can make and use passkeys, and the codes work either way. The server's options come in a JSON
// <script type="application/json"> block (Django's json_script); no inline script is needed.
//
//   <div data-passkey-sign-in data-options="ID" hidden>   (sign-in: navigator.credentials.get)
//   <div data-passkey-register data-options="ID" hidden>  (account page: navigator.credentials.create)
//
// Each holds a form with a hidden `passkey_response` field and a button; the browser's answer is put in
// the field (as JSON) and the form is submitted normally.

const supported =
  typeof window.PublicKeyCredential === "function" &&
  typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function" &&
  typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function";

function optionsFor(container) {
  const source = document.getElementById(container.dataset.options);
  return source ? JSON.parse(source.textContent) : null;
}

function showProblem(container, text) {
  let problem = container.querySelector(".cw-passkey-problem");
  if (!problem) {
    problem = document.createElement("p");
    problem.className = "nhsuk-error-message cw-passkey-problem";
    problem.setAttribute("role", "alert");
    container.prepend(problem);
  }
  problem.textContent = text;
}

function wire(container, ask) {
  const options = optionsFor(container);
  const form = container.querySelector("form[data-passkey-form]");
  if (!options || !form) return;
  container.hidden = false;
  const button = form.querySelector("button");
  button.addEventListener("click", async () => {
    if (!form.reportValidity()) return;
    button.disabled = true;
    try {
      const credential = await ask(options);
      form.querySelector("input[name=passkey_response]").value = JSON.stringify(credential.toJSON());
      form.submit();
    } catch (error) {
      button.disabled = false;
      showProblem(
        container,
        error && error.name === "NotAllowedError"
          ? "The passkey was not used. Try again, or enter a code."
          : "This device could not use a passkey. Try again, or enter a code.",
      );
    }
  });
}

if (supported) {
  for (const container of document.querySelectorAll("[data-passkey-sign-in]")) {
    wire(container, (options) =>
      navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) }),
    );
  }
  for (const container of document.querySelectorAll("[data-passkey-register]")) {
    wire(container, (options) =>
      navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) }),
    );
  }
}
