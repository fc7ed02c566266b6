import { redirect } from 'next/navigation';

/** The product's front door is the wall. */
export default function Home(): never {
  redirect('/wall');
}
