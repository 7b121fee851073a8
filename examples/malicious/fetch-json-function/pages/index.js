export default function Home() {
  return <main>NFT gallery</main>;
}
