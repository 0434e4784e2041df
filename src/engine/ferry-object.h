/* ferry-object.h: what a pool's hosts, VMs, SRs and networks have in common
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ferry-engine-types.h"

G_BEGIN_DECLS

#define FERRY_TYPE_OBJECT (ferry_object_get_type ())

G_DECLARE_DERIVABLE_TYPE (FerryObject, ferry_object, FERRY, OBJECT, GObject)

struct _FerryObjectClass
{
  GObjectClass parent_class;

  /* Reads what is the subclass's own in @record (its XapiHost, XapiVm, …)
   * and notifies the properties that changed.  @pool is the object's. */
  void (*update) (FerryObject  *self,
                  FerryPool    *pool,
                  gconstpointer record);
};

/* Properties: "ref", "uuid", "name".  Strings (transfer none). */
const char *ferry_object_get_ref (FerryObject *self);
const char *ferry_object_get_uuid (FerryObject *self);
const char *ferry_object_get_name (FerryObject *self);
/* (transfer none) weak: NULL once the pool is gone. */
FerryPool  *ferry_object_get_pool (FerryObject *self);

/* The typed names of the getters above, which callers use:
 * FERRY_OBJECT_DEFINE_GETTERS (FerryHost, ferry_host) gives
 * ferry_host_get_ref(), ferry_host_get_uuid(), ferry_host_get_name() and
 * ferry_host_get_pool(). */
#define FERRY_OBJECT_DEFINE_GETTERS(TypeName, type_name)          \
  static inline const char *type_name##_get_ref (TypeName *self)  \
  {                                                               \
    return ferry_object_get_ref (FERRY_OBJECT (self));            \
  }                                                               \
  static inline const char *type_name##_get_uuid (TypeName *self) \
  {                                                               \
    return ferry_object_get_uuid (FERRY_OBJECT (self));           \
  }                                                               \
  static inline const char *type_name##_get_name (TypeName *self) \
  {                                                               \
    return ferry_object_get_name (FERRY_OBJECT (self));           \
  }                                                               \
  static inline FerryPool *type_name##_get_pool (TypeName *self)  \
  {                                                               \
    return ferry_object_get_pool (FERRY_OBJECT (self));           \
  }

G_END_DECLS
