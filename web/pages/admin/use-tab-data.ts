// Every admin tab loads its lists the same way: when the tab opens or the account changes, and again when the
// connection comes back if they never arrived. A failure shows in the tab's error box; a success clears it.
import { useEffect } from 'preact/hooks';
import { describeError } from '../../api-client.ts';
import { useReconnect } from '../../connection.ts';

/** Returns the loader, so an action can reload the tab after it changes something. */
export function useTabData(accountId: string, loaded: boolean, fetch: () => Promise<void>, setError: (message: string) => void) {
  async function load() {
    try {
      await fetch();
      setError('');
    } catch (e) {
      setError(describeError(e));
    }
  }
  useEffect(() => {
    void load();
  }, [accountId]);
  useReconnect(() => {
    if (!loaded) void load();
  });
  return load;
}
