import { redirect } from 'next/navigation';

/** /admin opens on the accounts, the first thing a new deployment needs. */
export default function AdminHome() {
  redirect('/admin/users');
}
