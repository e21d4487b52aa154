# The war room server. Build context: this repository.
FROM python:3.11-slim
WORKDIR /app
# WeasyPrint (the print pages' PDFs) lays text out with pango, in these fonts.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY warroom warroom
COPY commands commands
COPY projections projections
COPY rendering rendering
COPY mail mail
COPY push push
COPY clock clock
COPY web web
COPY entrypoints entrypoints
COPY playbooks playbooks
ENV WARROOM_PLAYBOOK_DIR=/app/playbooks
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["warroom", "serve", "--host", "0.0.0.0", "--port", "8000"]
