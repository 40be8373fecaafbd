// "Set up later": during a grace period the person may go on without 2FA. The choice is kept for this tab's session
// and for this due date only (a shorter grace asks again). It is a courtesy, never a permission: the API decides at
// every request, and after the due date it answers 2fa_setup_required whatever this says.
const KEY = 'twofold.setupLater';

export function choseSetupLater(dueBy: string): boolean {
  try {
    return sessionStorage.getItem(KEY) === dueBy;
  } catch {
    return false;
  }
}

export function chooseSetupLater(dueBy: string): void {
  try {
    sessionStorage.setItem(KEY, dueBy);
  } catch {
    /* not kept: the person is asked again on reload */
  }
}
