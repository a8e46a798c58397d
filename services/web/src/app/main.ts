import { api, ApiError, type Account } from './api.js';
import { byId, clearError, showError } from './dom.js';
import { renderBatch } from './gallery.js';
import { renderScaling } from './scaling-panel.js';
import { session } from './session.js';

/** How often the scaling panel asks the gateway (which asks Prometheus at most once a second). */
const SCALING_REFRESH_MS = 2000;

const grid = byId<HTMLUListElement>('llamas');
const count = byId<HTMLSelectElement>('count');
const batchStatus = byId('batch-status');
const batchError = byId('batch-error');

async function loadBatch(): Promise<void> {
  clearError(batchError);
  batchStatus.textContent = 'Fetching llamas…';
  try {
    const { message } = await api.random(Number(count.value));
    renderBatch(grid, message);
    batchStatus.textContent = `${message.length} llama${message.length === 1 ? '' : 's'}`;
  } catch (error) {
    batchStatus.textContent = '';
    showError(batchError, error);
  }
}

byId<HTMLFormElement>('batch-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void loadBatch();
});

// --- account ---------------------------------------------------------------------------
const authForm = byId<HTMLFormElement>('auth-form');
const authError = byId('auth-error');
const signedIn = byId('signed-in');
const uploadCard = byId('upload-card');

function showAccount(account: Account | null): void {
  authForm.hidden = account !== null;
  signedIn.hidden = account === null;
  uploadCard.hidden = account === null;
  byId('who').textContent = account?.email ?? '';
}

authForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
  const action = submitter?.value === 'register' ? 'register' : 'login';
  const data = new FormData(authForm);
  const email = String(data.get('email') ?? '').trim();
  const password = String(data.get('password') ?? '');
  clearError(authError);
  void (async () => {
    try {
      const { token, expiresAt } =
        action === 'register' ? await api.register(email, password) : await api.login(email, password);
      const account = { email, token, expiresAt };
      session.set(account);
      authForm.reset();
      showAccount(account);
      byId('upload-url').focus();
    } catch (error) {
      showError(authError, error);
    }
  })();
});

byId('logout').addEventListener('click', () => {
  session.clear();
  showAccount(null);
  byId('email').focus();
});

// --- upload ----------------------------------------------------------------------------
const uploadForm = byId<HTMLFormElement>('upload-form');
const uploadError = byId('upload-error');
const uploadStatus = byId('upload-status');

uploadForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const account = session.get();
  const url = byId<HTMLInputElement>('upload-url').value.trim();
  clearError(uploadError);
  uploadStatus.textContent = '';
  if (!account) {
    showAccount(null);
    showError(authError, new ApiError(401, 'token_expired', 'your session ended: log in again to upload'));
    return;
  }
  void (async () => {
    try {
      const image = await api.upload(url, account.token);
      uploadForm.reset();
      uploadStatus.textContent = `Added picture #${image.id}: it turns up in later batches.`;
    } catch (error) {
      showError(uploadError, error);
    }
  })();
});

// --- scaling panel ---------------------------------------------------------------------
const scaling = byId('scaling');
const scalingError = byId('scaling-error');

async function refreshScaling(): Promise<void> {
  try {
    renderScaling(scaling, await api.scaling());
    clearError(scalingError);
  } catch (error) {
    showError(scalingError, error);
  }
}

/** Polls one request at a time (a slow answer delays the next poll rather than piling up). */
async function pollScaling(): Promise<void> {
  if (!document.hidden) await refreshScaling();
  setTimeout(() => void pollScaling(), SCALING_REFRESH_MS);
}

showAccount(session.get());
void loadBatch();
void pollScaling();
