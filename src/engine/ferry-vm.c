/* ferry-vm.c: a VM of a pool, updated in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "ferry-vm-private.h"
#include "ferry-pool-private.h"
#include "ferry-util-private.h"

/* ---- FerryDisk / FerryVif ----------------------------------------------- */

FerryDisk *
ferry_disk_copy (const FerryDisk *disk)
{
  FerryDisk *copy = g_new0 (FerryDisk, 1);

  copy->vdi_ref = g_strdup (disk->vdi_ref);
  copy->vdi_uuid = g_strdup (disk->vdi_uuid);
  copy->name = g_strdup (disk->name);
  copy->sr = disk->sr != NULL ? g_object_ref (disk->sr) : NULL;
  copy->virtual_size = disk->virtual_size;
  copy->vbd_ref = g_strdup (disk->vbd_ref);
  copy->device = g_strdup (disk->device);
  copy->physical_utilisation = disk->physical_utilisation;

  return copy;
}

void
ferry_disk_free (FerryDisk *disk)
{
  if (disk == NULL)
    return;

  g_free (disk->vdi_ref);
  g_free (disk->vdi_uuid);
  g_free (disk->name);
  g_clear_object (&disk->sr);
  g_free (disk->vbd_ref);
  g_free (disk->device);
  g_free (disk);
}

G_DEFINE_BOXED_TYPE (FerryDisk, ferry_disk, ferry_disk_copy, ferry_disk_free)

FerryVif *
ferry_vif_copy (const FerryVif *vif)
{
  FerryVif *copy = g_new0 (FerryVif, 1);

  copy->vif_ref = g_strdup (vif->vif_ref);
  copy->device = g_strdup (vif->device);
  copy->mac = g_strdup (vif->mac);
  copy->network = vif->network != NULL ? g_object_ref (vif->network) : NULL;

  return copy;
}

void
ferry_vif_free (FerryVif *vif)
{
  if (vif == NULL)
    return;

  g_free (vif->vif_ref);
  g_free (vif->device);
  g_free (vif->mac);
  g_clear_object (&vif->network);
  g_free (vif);
}

G_DEFINE_BOXED_TYPE (FerryVif, ferry_vif, ferry_vif_copy, ferry_vif_free)

/* ---- FerryVm ------------------------------------------------------------- */

struct _FerryVm
{
  FerryObject parent_instance;

  char       *power_state;
  FerryHost  *resident_on;
  char       *affinity_ref;
  char       *suspend_vdi_ref;
  guint64     memory;
  guint64     memory_needed;
  guint       vcpus;
  guint64     disk_size;
  FerryJob   *job;
  GPtrArray  *disks;
  GPtrArray  *vifs;
};

G_DEFINE_FINAL_TYPE (FerryVm, ferry_vm, FERRY_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_POWER_STATE,
  PROP_RESIDENT_ON,
  PROP_MEMORY,
  PROP_VCPUS,
  PROP_DISK_SIZE,
  PROP_JOB,
  PROP_AFFINITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ferry_vm_dispose (GObject *object)
{
  FerryVm *self = FERRY_VM (object);

  g_clear_object (&self->resident_on);
  g_clear_object (&self->job);

  G_OBJECT_CLASS (ferry_vm_parent_class)->dispose (object);
}

static void
ferry_vm_finalize (GObject *object)
{
  FerryVm *self = FERRY_VM (object);

  g_free (self->power_state);
  g_free (self->affinity_ref);
  g_free (self->suspend_vdi_ref);
  g_clear_pointer (&self->disks, g_ptr_array_unref);
  g_clear_pointer (&self->vifs, g_ptr_array_unref);

  G_OBJECT_CLASS (ferry_vm_parent_class)->finalize (object);
}

static void
ferry_vm_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  FerryVm *self = FERRY_VM (object);

  switch (prop_id)
    {
    case PROP_POWER_STATE:
      g_value_set_string (value, self->power_state);
      break;
    case PROP_RESIDENT_ON:
      g_value_set_object (value, self->resident_on);
      break;
    case PROP_MEMORY:
      g_value_set_uint64 (value, self->memory);
      break;
    case PROP_VCPUS:
      g_value_set_uint (value, self->vcpus);
      break;
    case PROP_DISK_SIZE:
      g_value_set_uint64 (value, self->disk_size);
      break;
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    case PROP_AFFINITY:
      g_value_set_object (value, ferry_vm_get_affinity (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_vm_update (FerryObject  *object,
                 FerryPool    *pool,
                 gconstpointer data)
{
  FerryVm      *self = FERRY_VM (object);
  const XapiVm *record = data;
  FerryHost    *resident_on = ferry_pool_get_host_by_ref (pool, record->resident_on);
  guint64       memory = (guint64) MAX (record->memory_static_max, 0);
  guint64       needed = (guint64) MAX (record->memory_dynamic_max, 0);
  gint64        vcpus = record->VCPUs_at_startup;

  if (vcpus <= 0)
    vcpus = record->VCPUs_max;

  ferry_update_string (self, &self->power_state, xapi_vm_power_state_to_string (record->power_state),
                       properties[PROP_POWER_STATE]);
  if (g_set_object (&self->resident_on, resident_on))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESIDENT_ON]);
  /* Told, so that a halted VM's row shows its new home host once the pool
   * has it (a home-host move changes nothing else in the VM's record). */
  ferry_update_string (self, &self->affinity_ref, record->affinity, properties[PROP_AFFINITY]);
  ferry_set_string (&self->suspend_vdi_ref, record->suspend_VDI);
  ferry_update_uint64 (self, &self->memory, memory, properties[PROP_MEMORY]);
  self->memory_needed = needed > 0 ? needed : memory;
  if (self->vcpus != (guint) MAX (vcpus, 0))
    {
      self->vcpus = (guint) MAX (vcpus, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VCPUS]);
    }
}

static void
ferry_vm_class_init (FerryVmClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  FerryObjectClass *ferry_object_class = FERRY_OBJECT_CLASS (klass);
  GParamFlags       flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = ferry_vm_dispose;
  object_class->finalize = ferry_vm_finalize;
  object_class->get_property = ferry_vm_get_property;
  ferry_object_class->update = ferry_vm_update;

  properties[PROP_POWER_STATE] = g_param_spec_string ("power-state", NULL, NULL, NULL, flags);
  properties[PROP_RESIDENT_ON] = g_param_spec_object ("resident-on", NULL, NULL,
                                                      ferry_host_get_type (), flags);
  properties[PROP_MEMORY] = g_param_spec_uint64 ("memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_VCPUS] = g_param_spec_uint ("vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_DISK_SIZE] = g_param_spec_uint64 ("disk-size", NULL, NULL,
                                                    0, G_MAXUINT64, 0, flags);
  properties[PROP_JOB] = g_param_spec_object ("job", NULL, NULL, ferry_job_get_type (), flags);
  properties[PROP_AFFINITY] = g_param_spec_object ("affinity", NULL, NULL, ferry_host_get_type (), flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_vm_init (FerryVm *self)
{
  self->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) ferry_disk_free);
  self->vifs = g_ptr_array_new_with_free_func ((GDestroyNotify) ferry_vif_free);
}

static int
compare_devices (const char *a,
                 const char *b)
{
  /* userdevice / device are small numbers as strings. */
  long na = strtol (a != NULL ? a : "", NULL, 10);
  long nb = strtol (b != NULL ? b : "", NULL, 10);

  if (na != nb)
    return na < nb ? -1 : 1;
  return g_strcmp0 (a, b);
}

static int
compare_disks (gconstpointer a,
               gconstpointer b)
{
  const FerryDisk *da = *(FerryDisk * const *) a;
  const FerryDisk *db = *(FerryDisk * const *) b;

  return compare_devices (da->device, db->device);
}

static int
compare_vifs (gconstpointer a,
              gconstpointer b)
{
  const FerryVif *va = *(FerryVif * const *) a;
  const FerryVif *vb = *(FerryVif * const *) b;

  return compare_devices (va->device, vb->device);
}

/* Rebuilds the disk and VIF lists from the cache.  Arrays handed out
 * before stay valid for whoever took a reference. */
void
ferry_vm_invalidate_devices (FerryVm *self)
{
  FerryPool *pool = ferry_vm_get_pool (self);
  g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func ((GDestroyNotify) ferry_disk_free);
  g_autoptr(GPtrArray) vifs = g_ptr_array_new_with_free_func ((GDestroyNotify) ferry_vif_free);
  const XapiVm *record;
  guint64       size = 0;

  if (pool == NULL)
    return;

  record = ferry_pool_lookup (pool, XAPI_CLASS_VM, ferry_vm_get_ref (self));

  for (guint i = 0; record != NULL && record->VBDs != NULL && record->VBDs[i] != NULL; i++)
    {
      const XapiVbd *vbd = ferry_pool_lookup (pool, XAPI_CLASS_VBD, record->VBDs[i]);
      const XapiVdi *vdi;
      const char    *vdi_ref;
      FerryDisk     *disk;

      /* CD drives and empty drives never move with the VM. */
      if (vbd == NULL || vbd->type != XAPI_VBD_TYPE_DISK || vbd->empty)
        continue;

      vdi_ref = vbd->VDI;
      vdi = vdi_ref != NULL ? ferry_pool_lookup (pool, XAPI_CLASS_VDI, vdi_ref) : NULL;
      if (vdi == NULL)
        continue;

      disk = g_new0 (FerryDisk, 1);
      disk->vdi_ref = g_strdup (vdi_ref);
      disk->vdi_uuid = g_strdup (xapi_str (vdi->record.uuid));
      disk->name = g_strdup (xapi_str (vdi->record.name_label));
      disk->virtual_size = (guint64) MAX (vdi->virtual_size, 0);
      disk->physical_utilisation = (guint64) MAX (vdi->physical_utilisation, 0);
      disk->vbd_ref = g_strdup (record->VBDs[i]);
      disk->device = g_strdup (xapi_str (vbd->userdevice));
      {
        const char *sr_ref = vdi->SR;
        FerrySr    *sr = sr_ref != NULL ? ferry_pool_get_sr_by_ref (pool, sr_ref) : NULL;

        disk->sr = sr != NULL ? g_object_ref (sr) : NULL;
      }
      size += disk->virtual_size;
      g_ptr_array_add (disks, disk);
    }
  g_ptr_array_sort (disks, compare_disks);

  for (guint i = 0; record != NULL && record->VIFs != NULL && record->VIFs[i] != NULL; i++)
    {
      const XapiVif *rec = ferry_pool_lookup (pool, XAPI_CLASS_VIF, record->VIFs[i]);
      const char    *net_ref;
      FerryNetwork  *network;
      FerryVif      *vif;

      if (rec == NULL)
        continue;

      net_ref = rec->network;
      network = net_ref != NULL ? ferry_pool_get_network_by_ref (pool, net_ref) : NULL;

      vif = g_new0 (FerryVif, 1);
      vif->vif_ref = g_strdup (record->VIFs[i]);
      vif->device = g_strdup (xapi_str (rec->device));
      vif->mac = g_strdup (xapi_str (rec->MAC));
      vif->network = network != NULL ? g_object_ref (network) : NULL;
      g_ptr_array_add (vifs, vif);
    }
  g_ptr_array_sort (vifs, compare_vifs);

  g_clear_pointer (&self->disks, g_ptr_array_unref);
  self->disks = g_steal_pointer (&disks);
  g_clear_pointer (&self->vifs, g_ptr_array_unref);
  self->vifs = g_steal_pointer (&vifs);

  ferry_vm_set_disk_size (self, size);
}

void
ferry_vm_set_disk_size (FerryVm *self,
                        guint64  size)
{
  if (self->disk_size == size)
    return;

  self->disk_size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISK_SIZE]);
}

void
ferry_vm_set_job (FerryVm  *self,
                  FerryJob *job)
{
  if (g_set_object (&self->job, job))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB]);
}

guint64
ferry_vm_get_memory_needed (FerryVm *self)
{
  return self->memory_needed;
}

void
ferry_vm_detach (FerryVm *self)
{
  if (g_set_object (&self->resident_on, NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESIDENT_ON]);
}

const char *
ferry_vm_get_power_state (FerryVm *self)
{
  g_return_val_if_fail (FERRY_IS_VM (self), NULL);
  return self->power_state;
}

FerryHost *
ferry_vm_get_resident_on (FerryVm *self)
{
  g_return_val_if_fail (FERRY_IS_VM (self), NULL);
  return self->resident_on;
}

guint64
ferry_vm_get_memory (FerryVm *self)
{
  g_return_val_if_fail (FERRY_IS_VM (self), 0);
  return self->memory;
}

guint
ferry_vm_get_vcpus (FerryVm *self)
{
  g_return_val_if_fail (FERRY_IS_VM (self), 0);
  return self->vcpus;
}

guint64
ferry_vm_get_disk_size (FerryVm *self)
{
  g_return_val_if_fail (FERRY_IS_VM (self), 0);
  return self->disk_size;
}

FerryJob *
ferry_vm_get_job (FerryVm *self)
{
  g_return_val_if_fail (FERRY_IS_VM (self), NULL);
  return self->job;
}

FerryHost *
ferry_vm_get_affinity (FerryVm *self)
{
  FerryPool *pool;

  g_return_val_if_fail (FERRY_IS_VM (self), NULL);

  pool = ferry_vm_get_pool (self);
  /* (transfer none): the pool keeps its hosts. */
  return pool != NULL ? ferry_pool_get_host_by_ref (pool, self->affinity_ref) : NULL;
}

FerrySr *
ferry_vm_get_suspend_sr (FerryVm *self)
{
  FerryPool     *pool;
  const XapiVdi *vdi;

  g_return_val_if_fail (FERRY_IS_VM (self), NULL);

  pool = ferry_vm_get_pool (self);
  if (pool == NULL || self->suspend_vdi_ref == NULL ||
      g_strcmp0 (self->power_state, "Suspended") != 0)
    return NULL;
  /* Looked up when asked: the image's VDI is no disk of the VM (no VBD
   * holds it), and only a move asks. */
  vdi = ferry_pool_lookup (pool, XAPI_CLASS_VDI, self->suspend_vdi_ref);
  /* (transfer none): the pool keeps its SRs. */
  return vdi != NULL ? ferry_pool_get_sr_by_ref (pool, vdi->SR) : NULL;
}

GPtrArray *
ferry_vm_get_disks (FerryVm *self)
{
  g_return_val_if_fail (FERRY_IS_VM (self), NULL);
  return self->disks;
}

GPtrArray *
ferry_vm_get_vifs (FerryVm *self)
{
  g_return_val_if_fail (FERRY_IS_VM (self), NULL);
  return self->vifs;
}
