FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 BK_HOST=0.0.0.0 BK_PORT=8000
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY placement ./placement
COPY optimizer ./optimizer
COPY api ./api
COPY migrations ./migrations
RUN pip install --no-cache-dir . && useradd --system --uid 10001 boendekedjan
USER boendekedjan
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["boendekedjan", "serve", "--no-scheduler"]
