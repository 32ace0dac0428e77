import { describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { renderApp } from '../../../test/render-app.js';

const SECRET = 'ghp_S3cr3tT0k3nValue';

describe('Registry settings', () => {
  it('shows env credentials read-only with their source and warns about an insecure store', async () => {
    await renderApp('#/settings', {
      creds: [
        {
          key: 'ghcr.io',
          registry: 'ghcr.io',
          source: 'env',
          sourceDetail: 'GHCR_USERNAME/GHCR_TOKEN',
          username: 'octocat',
          readOnly: true,
        },
      ],
      store: { backend: 'file', secure: false, message: 'No keychain found.' },
    });
    const root = await screen.findByTestId('registry-settings');
    await screen.findByText('GHCR_USERNAME/GHCR_TOKEN');
    expect(root.textContent).toContain('read-only');
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull();
    expect(screen.getByTestId('store-status').textContent).toContain('not secure');
  });

  it('saves a credential, clears the password field and never shows the secret', async () => {
    const { fake } = await renderApp('#/settings');
    fireEvent.change(screen.getByPlaceholderText('ghcr.io or ghcr.io/acme/'), {
      target: { value: 'registry.local:5000' },
    });
    fireEvent.change(screen.getAllByRole('textbox')[1], { target: { value: 'ci-bot' } });
    const password = screen.getByLabelText('Password or token') as HTMLInputElement;
    expect(password.type).toBe('password');
    fireEvent.change(password, { target: { value: SECRET } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    });
    expect(fake.callsTo('registries:save')).toEqual([
      { key: 'registry.local:5000', username: 'ci-bot', secret: SECRET, acceptInsecureStore: undefined },
    ]);
    await waitFor(() => expect(password.value).toBe(''));
    await screen.findByText('registry.local:5000');
    expect(document.body.innerHTML).not.toContain(SECRET);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    });
    expect(fake.callsTo('registries:remove')).toEqual([{ key: 'registry.local:5000' }]);
  });

  it('tests a saved credential and shows the outcome', async () => {
    const { fake } = await renderApp('#/settings', {
      creds: [
        {
          key: 'docker.io',
          registry: 'docker.io',
          source: 'docker-config',
          sourceDetail: '~/.docker/config.json',
          username: 'acme',
          readOnly: true,
        },
      ],
    });
    fake.handlers['registries:test'] = ({ key }) => ({
      registry: key,
      outcome: 'unauthorized',
      message: 'docker.io rejected acme (401)',
      source: 'docker-config',
    });
    await screen.findByText('~/.docker/config.json');
    await act(async () => {
      fireEvent.click(screen.getAllByRole('button', { name: 'Test' })[0]);
    });
    expect(await screen.findByText('docker.io rejected acme (401)')).toBeTruthy();
  });
});
