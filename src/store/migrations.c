/* migrations.c - the schema, as numbered steps applied in order and recorded in
 * schema_migrations. Never edit a released step: add a new one. */
#include <stddef.h>
#include "migrations.h"

static const struct migration steps[] = {
    {1, "sites_staff_sessions",
     "CREATE TABLE sites ("
     " id INTEGER PRIMARY KEY,"
     " parent_id INTEGER REFERENCES sites(id),"
     " path TEXT NOT NULL DEFAULT '',"  /* '/1/2/5/': ancestors and self, for subtree scope */
     " level TEXT NOT NULL CHECK (level IN ('district','township','village')),"
     " name TEXT NOT NULL,"
     " code TEXT NOT NULL UNIQUE,"
     " address TEXT, lat REAL, lng REAL, hours TEXT, phone TEXT,"
     " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;"
     "CREATE INDEX sites_parent ON sites(parent_id);"
     "CREATE INDEX sites_path ON sites(path);"
     "CREATE TABLE departments ("
     " id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
     " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;"
     "CREATE TABLE windows ("
     " id INTEGER PRIMARY KEY,"
     " site_id INTEGER NOT NULL REFERENCES sites(id),"
     " kind TEXT NOT NULL CHECK (kind IN ('general','assisted','specialised','complaint',"
     "  'cross_region','issuance','self_service')),"
     " name TEXT NOT NULL,"
     " department_id INTEGER REFERENCES departments(id),"
     " active INTEGER NOT NULL DEFAULT 1,"
     " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;"
     "CREATE INDEX windows_site ON windows(site_id);"
     "CREATE TABLE users ("
     " id INTEGER PRIMARY KEY,"
     " login TEXT NOT NULL UNIQUE,"
     " name TEXT NOT NULL,"
     " role TEXT NOT NULL CHECK (role IN ('agent','web_agent','clerk','approver','coordinator',"
     "  'admin','auditor')),"
     " site_id INTEGER NOT NULL REFERENCES sites(id),"
     " department_id INTEGER REFERENCES departments(id),"
     " password_hash TEXT NOT NULL,"
     " active INTEGER NOT NULL DEFAULT 1,"
     " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;"
     "CREATE INDEX users_site ON users(site_id);"
     "CREATE TABLE sessions ("
     " token_hash TEXT PRIMARY KEY,"
     " user_id INTEGER NOT NULL REFERENCES users(id),"
     " csrf TEXT NOT NULL,"
     " created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL) STRICT;"
     "CREATE INDEX sessions_user ON sessions(user_id);"
     "CREATE TABLE rate_limits ("
     " key TEXT PRIMARY KEY, window_start INTEGER NOT NULL, count INTEGER NOT NULL) STRICT;"},
    {2, "catalog",
     "CREATE TABLE items ("
     " id INTEGER PRIMARY KEY,"
     " code TEXT NOT NULL UNIQUE,"
     " status TEXT NOT NULL CHECK (status IN ('draft','published','retired')),"
     " published_version INTEGER,"      /* version number now in force, NULL before publishing */
     " draft_version INTEGER,"          /* version number being edited, NULL when none */
     " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;"
     "CREATE TABLE item_versions ("
     " id INTEGER PRIMARY KEY,"
     " item_id INTEGER NOT NULL REFERENCES items(id),"
     " version INTEGER NOT NULL,"
     " state TEXT NOT NULL CHECK (state IN ('draft','published','superseded')),"
     " name TEXT NOT NULL, domain TEXT NOT NULL,"
     " department_id INTEGER NOT NULL REFERENCES departments(id),"
     " level TEXT NOT NULL, object TEXT NOT NULL, case_type TEXT NOT NULL,"
     " statutory_days INTEGER NOT NULL, promised_days INTEGER NOT NULL,"
     " fee TEXT NOT NULL, result_type TEXT NOT NULL, result TEXT NOT NULL,"
     " online INTEGER NOT NULL, legal_basis TEXT NOT NULL, conditions TEXT NOT NULL,"
     " process TEXT NOT NULL, joint_departments TEXT NOT NULL,"  /* 'wj;ga;yb' */
     " published_at INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
     " UNIQUE (item_id, version)) STRICT;"
     "CREATE TABLE materials ("
     " id INTEGER PRIMARY KEY,"
     " version_id INTEGER NOT NULL REFERENCES item_versions(id),"
     " seq INTEGER NOT NULL, name TEXT NOT NULL, required INTEGER NOT NULL, condition TEXT,"
     " form TEXT NOT NULL, copies INTEGER NOT NULL, source TEXT, note TEXT,"
     " UNIQUE (version_id, seq)) STRICT;"
     "CREATE TABLE site_items ("
     " id INTEGER PRIMARY KEY,"
     " site_id INTEGER NOT NULL REFERENCES sites(id),"
     " item_id INTEGER NOT NULL REFERENCES items(id),"
     " mode TEXT NOT NULL CHECK (mode IN ('accept','collect','consult')),"
     " UNIQUE (site_id, item_id)) STRICT;"
     "CREATE INDEX site_items_item ON site_items(item_id);"},
    {3, "audit",
     "CREATE TABLE audit ("
     " id INTEGER PRIMARY KEY,"           /* 1, 2, 3 ... without gaps */
     " at INTEGER NOT NULL,"
     " user_id INTEGER NOT NULL,"         /* 0 = the system or an unknown sign-in */
     " action TEXT NOT NULL, object TEXT NOT NULL, result TEXT NOT NULL, detail TEXT,"
     " prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT;"
     "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
     " BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
     "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
     " BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"},
    {4, "calendar",
     "CREATE TABLE calendar_years ("
     " year INTEGER PRIMARY KEY, loaded_at INTEGER NOT NULL, source TEXT NOT NULL) STRICT;"
     "CREATE TABLE holidays ("
     " day TEXT PRIMARY KEY,"                    /* YYYY-MM-DD */
     " kind TEXT NOT NULL CHECK (kind IN ('holiday','workday')),"
     " name TEXT NOT NULL, year INTEGER NOT NULL) STRICT;"
     "CREATE INDEX holidays_year ON holidays(year);"},
};

const struct migration *migrations(size_t *n)
{
    *n = sizeof steps / sizeof steps[0];
    return steps;
}
