# The war room server. Build context: this repository.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY warroom warroom
COPY commands commands
COPY projections projections
COPY web web
COPY entrypoints entrypoints
COPY playbooks playbooks
ENV WARROOM_PLAYBOOK_DIR=/app/playbooks
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["warroom", "serve", "--host", "0.0.0.0", "--port", "8000"]
