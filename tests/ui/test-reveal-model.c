/* test-reveal-model.c: what the reveal model shows is always a prefix of
 * the model below, and its items-changed signals say exactly how it changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-reveal-model.h"

/* What a view of the reveal model holds: its items as the signals said. */
typedef struct
{
  GListModel *reveal;
  GPtrArray  *copy;
  guint       n_signals;
} Replay;

static void
replay_items_changed_cb (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Replay     *replay)
{
  g_assert_true (model == replay->reveal);
  g_assert_cmpuint (removed + added, >, 0);
  g_assert_cmpuint (position + removed, <=, replay->copy->len);
  g_ptr_array_remove_range (replay->copy, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (replay->copy, position + i, g_list_model_get_item (model, position + i));
  /* The model says its new size when it signals. */
  g_assert_cmpuint (replay->copy->len, ==, g_list_model_get_n_items (model));
  replay->n_signals++;
}

/* The copy, the reveal model and the first items of the store agree. */
static void
check (GListStore *store,
       Replay     *replay)
{
  guint n_shown = g_list_model_get_n_items (replay->reveal);
  guint n_store = g_list_model_get_n_items (G_LIST_MODEL (store));

  g_assert_cmpuint (n_shown, <=, n_store);
  g_assert_cmpuint (replay->copy->len, ==, n_shown);
  g_assert_cmpuint (ferry_reveal_model_get_n_waiting (FERRY_REVEAL_MODEL (replay->reveal)), ==, n_store - n_shown);
  for (guint i = 0; i < n_shown; i++)
    {
      g_autoptr(GObject) shown = g_list_model_get_item (replay->reveal, i);
      g_autoptr(GObject) below = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_assert_true (shown == below);
      g_assert_true (g_ptr_array_index (replay->copy, i) == shown);
    }
  g_assert_null (g_list_model_get_item (replay->reveal, n_shown));
}

static void
replay_init (Replay     *replay,
             GListModel *reveal)
{
  replay->reveal = reveal;
  replay->copy = g_ptr_array_new_with_free_func (g_object_unref);
  replay->n_signals = 0;
  g_signal_connect (reveal, "items-changed", G_CALLBACK (replay_items_changed_cb), replay);
}

static void
replay_clear (Replay *replay)
{
  g_signal_handlers_disconnect_by_data (replay->reveal, replay);
  g_ptr_array_unref (replay->copy);
}

static void
splice_new (GListStore *store,
            guint       position,
            guint       n_removals,
            guint       n_additions)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n_additions; i++)
    g_ptr_array_add (items, g_object_new (G_TYPE_OBJECT, NULL));
  g_list_store_splice (store, position, n_removals, items->pdata, items->len);
}

/* Rows that join at the end come a few per step, then all at once; rows
 * that join among those shown, and removals, show at once. */
static void
test_paced (void)
{
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(FerryRevealModel) reveal = ferry_reveal_model_new (G_LIST_MODEL (store));
  Replay replay;
  guint  n_steps = 0;
  guint  n_shown;

  replay_init (&replay, G_LIST_MODEL (reveal));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (reveal)) == G_TYPE_OBJECT);

  /* A host and its VMs, at the end: nothing shows before a step. */
  splice_new (store, 0, 0, 157);
  check (store, &replay);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, 0);
  g_assert_cmpuint (replay.n_signals, ==, 0);

  /* A step shows a few, each at the end. */
  g_assert_true (ferry_reveal_model_step (reveal));
  check (store, &replay);
  n_shown = g_list_model_get_n_items (G_LIST_MODEL (reveal));
  g_assert_cmpuint (n_shown, >, 0);
  g_assert_cmpuint (n_shown, <, 16);

  /* Among the shown rows: at once, and the waiting ones keep waiting. */
  splice_new (store, 1, 0, 3);
  check (store, &replay);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, n_shown + 3);
  g_list_store_remove (store, 0);
  check (store, &replay);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, n_shown + 2);

  /* Steps until everything shows: more per step further down. */
  while (ferry_reveal_model_step (reveal))
    {
      check (store, &replay);
      n_steps++;
    }
  check (store, &replay);
  g_assert_cmpuint (ferry_reveal_model_get_n_waiting (reveal), ==, 0);
  g_assert_cmpuint (n_steps, >, 1);
  g_assert_cmpuint (n_steps, <, 40);

  /* Past FERRY_REVEAL_MODEL_ALL_FROM rows, what joins the end shows at once. */
  splice_new (store, g_list_model_get_n_items (G_LIST_MODEL (store)), 0, FERRY_REVEAL_MODEL_ALL_FROM);
  check (store, &replay);
  g_assert_cmpuint (ferry_reveal_model_get_n_waiting (reveal), ==, FERRY_REVEAL_MODEL_ALL_FROM);
  while (ferry_reveal_model_step (reveal))
    check (store, &replay);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), >=, FERRY_REVEAL_MODEL_ALL_FROM);
  splice_new (store, g_list_model_get_n_items (G_LIST_MODEL (store)), 0, FERRY_REVEAL_MODEL_ALL_FROM);
  check (store, &replay);
  g_assert_cmpuint (ferry_reveal_model_get_n_waiting (reveal), ==, 0);

  /* Everything goes. */
  g_list_store_remove_all (store);
  check (store, &replay);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, 0);
  g_assert_false (ferry_reveal_model_step (reveal));

  replay_clear (&replay);
}

/* A change across the end of what shows: the shown items it removes go at
 * once, and new ones take their place as far as they go. */
static void
test_across_end (void)
{
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(FerryRevealModel) reveal = ferry_reveal_model_new (G_LIST_MODEL (store));
  Replay replay;

  replay_init (&replay, G_LIST_MODEL (reveal));
  splice_new (store, 0, 0, 20);
  ferry_reveal_model_step (reveal);
  ferry_reveal_model_step (reveal);
  check (store, &replay);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, 8);

  /* Rows 6 to 9 go (2 shown, 2 waiting), 5 come. */
  splice_new (store, 6, 4, 5);
  check (store, &replay);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, 8);

  /* Rows 4 to 20 go, 1 comes: it shows. */
  splice_new (store, 4, 17, 1);
  check (store, &replay);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, 5);
  g_assert_cmpuint (ferry_reveal_model_get_n_waiting (reveal), ==, 0);

  /* Only waiting rows go: nothing shown changes, nothing is said. */
  splice_new (store, 5, 0, 10);
  replay.n_signals = 0;
  splice_new (store, 7, 3, 0);
  check (store, &replay);
  g_assert_cmpuint (replay.n_signals, ==, 0);

  ferry_reveal_model_reveal_all (reveal);
  check (store, &replay);
  g_assert_cmpuint (ferry_reveal_model_get_n_waiting (reveal), ==, 0);

  replay_clear (&replay);
}

/* Random inserts, removals, appends and steps, checked after each. */
static void
test_random (void)
{
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(FerryRevealModel) reveal = ferry_reveal_model_new (G_LIST_MODEL (store));
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  Replay replay;

  replay_init (&replay, G_LIST_MODEL (reveal));
  for (guint round = 0; round < 20000; round++)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
      guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (reveal));
      guint what = g_rand_int_range (rand, 0, 100);

      if (what < 30)
        {
          /* Append: a host's VMs, a row, or none. */
          splice_new (store, n, 0, g_rand_int_range (rand, 0, 200));
        }
      else if (what < 55)
        {
          /* Anywhere: remove some, add some. */
          guint position = g_rand_int_range (rand, 0, n + 1);
          guint removals = g_rand_int_range (rand, 0, MIN (n - position, 40) + 1);
          guint additions = g_rand_int_range (rand, 0, 40);
          guint expected = n_shown;

          splice_new (store, position, removals, additions);
          /* Within what shows, the change shows at once. */
          if (position + removals < n_shown)
            expected = n_shown - removals + additions;
          else if (position < n_shown)
            expected = position + MIN (additions, n_shown - position);
          if (expected < FERRY_REVEAL_MODEL_ALL_FROM)
            g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), ==, expected);
          else
            g_assert_cmpuint (ferry_reveal_model_get_n_waiting (reveal), ==, 0);
        }
      else if (what < 65)
        {
          /* Near the end of what shows: across it, or just inside. */
          guint position = n_shown > 3 ? n_shown - g_rand_int_range (rand, 0, 4) : n_shown;
          guint removals = g_rand_int_range (rand, 0, MIN (n - position, 10) + 1);

          splice_new (store, position, removals, g_rand_int_range (rand, 0, 10));
        }
      else if (what < 70 && n > 0)
        {
          /* Most of it goes. */
          guint keep = g_rand_int_range (rand, 0, 30);

          if (keep < n)
            g_list_store_splice (store, keep, n - keep, NULL, 0);
        }
      else if (what < 98)
        {
          gboolean more = ferry_reveal_model_step (reveal);

          g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reveal)), >=, MIN (n, n_shown + 1));
          g_assert_true (more == (ferry_reveal_model_get_n_waiting (reveal) > 0));
        }
      else
        {
          ferry_reveal_model_reveal_all (reveal);
        }
      check (store, &replay);
    }

  while (ferry_reveal_model_step (reveal))
    check (store, &replay);
  check (store, &replay);
  g_assert_cmpuint (replay.copy->len, ==, g_list_model_get_n_items (G_LIST_MODEL (store)));

  replay_clear (&replay);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/reveal-model/paced", test_paced);
  g_test_add_func ("/ui/reveal-model/across-end", test_across_end);
  g_test_add_func ("/ui/reveal-model/random", test_random);

  return g_test_run ();
}
