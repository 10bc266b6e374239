"""The planning workspace: a multi-user web app over the same library the CLI calls.

Layout: :mod:`.config` (settings), :mod:`.db` (tables, engine, migrations), :mod:`.auth`
(passwords, sessions, tokens, rate limit), :mod:`.uploads` (safe storage of uploaded files),
:mod:`.projects` (validation and project-TOML edits), :mod:`.jobs` and :mod:`.worker` (plans
run in worker processes, progress persisted), :mod:`.api` (JSON API), :mod:`.pages`
(server-rendered pages with HTMX) and :mod:`.server` (``create_app``). The app holds no
planning logic: every figure comes from the library.
"""
