/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-fields.h: the record layout of every XAPI class (see gen-fields.py) */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FSIM_FIELD_STRING,
  FSIM_FIELD_INT,
  FSIM_FIELD_FLOAT,
  FSIM_FIELD_BOOL,
  FSIM_FIELD_DATETIME,
  FSIM_FIELD_REF,
  FSIM_FIELD_ENUM,
  FSIM_FIELD_SET,
  FSIM_FIELD_MAP,
} FsimFieldKind;

typedef struct
{
  const char   *name;
  FsimFieldKind kind;
  const char   *default_json;
} FsimFieldDef;

typedef struct
{
  const char *name;
  guint       n_params; /* not counting the session */
  gboolean    takes_session;
} FsimMessageDef;

typedef struct
{
  const char           *name;
  const FsimFieldDef   *fields;
  guint                 n_fields;
  const FsimMessageDef *messages;
  guint                 n_messages;
} FsimClassDef;

extern const FsimClassDef fsim_classes[];
extern const guint        fsim_n_classes;

G_END_DECLS
