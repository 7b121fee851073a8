import { useEffect, useState } from 'react';

type Repo = { full_name: string; stargazers_count: number };

export default function App(): JSX.Element {
  const [repo, setRepo] = useState<Repo | null>(null);
  useEffect(() => {
    fetch('https://api.github.com/repos/facebook/react')
      .then((r) => r.json())
      .then((data: Repo) => setRepo(data));
  }, []);
  return <h1>{repo ? `${repo.full_name}: ${repo.stargazers_count}` : 'loading'}</h1>;
}
