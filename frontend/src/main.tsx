import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { STORAGE_KEY, useStore } from './store';
import './styles/app.css';

// Another tab signed in, out, or rotated the tokens: pick up its session, so this tab
// never presents a refresh token that has already been used.
window.addEventListener('storage', (e) => {
  if (e.key === STORAGE_KEY) void useStore.persist.rehydrate();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </StrictMode>,
);
