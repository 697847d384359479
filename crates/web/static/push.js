// Push notifications: asks the browser for permission, subscribes it through its push service
// with the install's key, and sends the subscription with the form it sits in. A form whose
// fields are filled already is sent as it is.
(() => {
  const form = document.querySelector('form[data-push-key]');
  if (!form) return;
  const status = form.querySelector('[data-push-status]');
  const bytes = (text) => {
    const plain = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(plain, (c) => c.charCodeAt(0));
  };
  const text = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  form.addEventListener('submit', async (event) => {
    if (form.elements.endpoint.value) return;
    event.preventDefault();
    if (!('serviceWorker' in navigator) || !('PushManager' in window)) {
      status.textContent = form.dataset.pushUnsupported;
      return;
    }
    try {
      const registration = await navigator.serviceWorker.register('/push-sw.js');
      if ((await Notification.requestPermission()) !== 'granted') {
        status.textContent = form.dataset.pushDenied;
        return;
      }
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: bytes(form.dataset.pushKey),
      });
      form.elements.endpoint.value = subscription.endpoint;
      form.elements.p256dh.value = text(subscription.getKey('p256dh'));
      form.elements.auth.value = text(subscription.getKey('auth'));
      form.submit();
    } catch (e) {
      status.textContent = `${form.dataset.pushUnsupported} (${e.message})`;
    }
  });
})();
