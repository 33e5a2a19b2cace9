"""Where the deployment files are: the repository's, or the self-test's altered copies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    repo: Path  # the code and configuration the files must agree with
    deploy: Path  # deploy/
    dockerignore: Path  # the build context's .dockerignore (the context is the repository root)

    @classmethod
    def of_repository(cls, repo: Path) -> Layout:
        return cls(repo=repo, deploy=repo / "deploy", dockerignore=repo / ".dockerignore")

    @property
    def dockerfile(self) -> Path:
        return self.deploy / "Dockerfile"

    @property
    def compose(self) -> Path:
        return self.deploy / "docker-compose.yml"

    @property
    def env_example(self) -> Path:
        return self.deploy / ".env.example"

    @property
    def k8s(self) -> Path:
        return self.deploy / "k8s"

    @property
    def prometheus(self) -> Path:
        return self.deploy / "prometheus.yml"

    def shown(self, path: Path) -> str:
        """A path as the report names it: relative to the repository or to the copy's root."""
        for base in (self.deploy.parent, self.repo):
            try:
                return str(path.relative_to(base))
            except ValueError:
                continue
        return str(path)
