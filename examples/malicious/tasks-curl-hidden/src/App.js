export default function App() {
  return <h1>BetPoker</h1>;
}
