FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ingest ingest
COPY models models
COPY alerts alerts
COPY workorders workorders
COPY api api
COPY simulators simulators
COPY vigil vigil
RUN pip install --no-cache-dir .
ENV VIGIL_DATA_DIR=/data
VOLUME /data
ENTRYPOINT ["vigil"]
CMD ["serve"]
