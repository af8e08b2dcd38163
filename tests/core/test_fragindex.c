/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_fragindex.c - the fragmentation, unusable and extfrag
 * indices (core/fragindex.c) against vectors J1-J12 of
 * tests/data/reference/linux-mm-testvectors.md. J1-J4 are numbers a real
 * kernel printed in debugfs for the given buddyinfo lines; the others are
 * the kernel formula evaluated by a script. The printed forms are tested in
 * tests/report/test_procfs.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <labyrinth/fragindex.h>

/* Free lists of the vectors: nr_free per order 0..10. */
static const uint64_t host_dma[LAB_MAX_ORDER] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3 };
static const uint64_t host_dma32[LAB_MAX_ORDER] = { 2, 3, 0, 2, 3, 2, 1, 4, 4, 2, 752 };
static const uint64_t host_normal[LAB_MAX_ORDER] = {
	10434, 1900, 680, 674, 202, 87, 45, 132, 237, 135, 246 };
static const uint64_t small_orders[LAB_MAX_ORDER] = { 100, 50, 10 };
static const uint64_t zero_lists[LAB_MAX_ORDER] = { 0 };

/* J1: host DMA unusable index per order is 0 except 66 (order 9) and 200 (order 10). */
static void test_unusable_index_host_dma(void **state)
{
	(void)state;
	static const int want[LAB_MAX_ORDER] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 66, 200 };
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
		assert_int_equal(lab_unusable_index(host_dma, o), want[o]);
}

/* J2: host DMA32 unusable index is 0 up to order 8, then 2 and 3. */
static void test_unusable_index_host_dma32(void **state)
{
	(void)state;
	static const int want[LAB_MAX_ORDER] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3 };
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
		assert_int_equal(lab_unusable_index(host_dma32, o), want[o]);
}

/* J3: host Normal snapshot unusable index, every order, as debugfs printed it. */
static void test_unusable_index_host_normal(void **state)
{
	(void)state;
	static const int want[LAB_MAX_ORDER] = { 0, 24, 33, 39, 51, 59, 65, 72, 111, 253, 413 };
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
		assert_int_equal(lab_unusable_index(host_normal, o), want[o]);
}

/* J4: a zone holding an order-10 block has fragmentation index -1000 at every order. */
static void test_fragmentation_index_suitable_block_is_minus_1000(void **state)
{
	(void)state;
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
		assert_int_equal(lab_fragmentation_index(host_dma, o), -1000);
		assert_int_equal(lab_fragmentation_index(host_dma32, o), -1000);
	}
}

/* J5: lists 100/50/10 give fragmentation index 807, 900, 947 at orders 3, 4, 5. */
static void test_fragmentation_index_small_blocks(void **state)
{
	(void)state;
	assert_int_equal(lab_fragmentation_index(small_orders, 3), 807);
	assert_int_equal(lab_fragmentation_index(small_orders, 4), 900);
	assert_int_equal(lab_fragmentation_index(small_orders, 5), 947);
}

/* J6: the same lists give -1000 at orders 0..2 (blocks exist there). */
static void test_fragmentation_index_small_orders_satisfiable(void **state)
{
	(void)state;
	for (unsigned o = 0; o <= 2; o++)
		assert_int_equal(lab_fragmentation_index(small_orders, o), -1000);
}

/* J6: unusable index of lists 100/50/10 is 416 at order 1 and 833 at order 2. */
static void test_unusable_index_small_orders(void **state)
{
	(void)state;
	assert_int_equal(lab_unusable_index(small_orders, 1), 416);
	assert_int_equal(lab_unusable_index(small_orders, 2), 833);
}

/* J7: 2000 free order-0 pages give fragmentation index 875 (order 3) and 998 (order 9). */
static void test_fragmentation_index_order0_only(void **state)
{
	(void)state;
	const uint64_t lists[LAB_MAX_ORDER] = { 2000 };
	assert_int_equal(lab_fragmentation_index(lists, 3), 875);
	assert_int_equal(lab_fragmentation_index(lists, 9), 998);
}

/* J8: four free order-8 blocks give 250 at order 9 and exactly 500 at order 10. */
static void test_fragmentation_index_four_order8_blocks(void **state)
{
	(void)state;
	const uint64_t lists[LAB_MAX_ORDER] = { [8] = 4 };
	assert_int_equal(lab_fragmentation_index(lists, 9), 250);
	assert_int_equal(lab_fragmentation_index(lists, 10), 500);
}

/* J9: one free order-3 block and an order-4 request give -500 (negative, not -1000). */
static void test_fragmentation_index_can_be_minus_500(void **state)
{
	(void)state;
	const uint64_t lists[LAB_MAX_ORDER] = { [3] = 1 };
	assert_int_equal(lab_fragmentation_index(lists, 4), -500);
}

/* J10: with nothing free the fragmentation index is 0 at every order. */
static void test_fragmentation_index_empty_is_zero(void **state)
{
	(void)state;
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
		assert_int_equal(lab_fragmentation_index(zero_lists, o), 0);
}

/* J10: with nothing free the unusable index is 1000 at every order. */
static void test_unusable_index_empty_is_1000(void **state)
{
	(void)state;
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
		assert_int_equal(lab_unusable_index(zero_lists, o), 1000);
}

/* J11: proactive score at order 9 is 6 for host DMA and 0 for host DMA32. */
static void test_extfrag_for_order_host(void **state)
{
	(void)state;
	assert_int_equal(lab_extfrag_for_order(host_dma, 9), 6);
	assert_int_equal(lab_extfrag_for_order(host_dma32, 9), 0);
}

/* J12: lists 512..2 at order 9: fragmentation 991, unusable 1000, score 100. */
static void test_indices_no_block_of_order9(void **state)
{
	(void)state;
	const uint64_t lists[LAB_MAX_ORDER] = { 512, 256, 128, 64, 32, 16, 8, 4, 2, 0, 0 };
	assert_int_equal(lab_fragmentation_index(lists, 9), 991);
	assert_int_equal(lab_unusable_index(lists, 9), 1000);
	assert_int_equal(lab_extfrag_for_order(lists, 9), 100);
}

/* With nothing free the proactive score is 0 (nothing to compact). */
static void test_extfrag_for_order_empty_is_zero(void **state)
{
	(void)state;
	assert_int_equal(lab_extfrag_for_order(zero_lists, 9), 0);
}

/* An order beyond the largest (>= LAB_MAX_ORDER) has fragmentation index 0, like Linux. */
static void test_fragmentation_index_order_too_large_is_zero(void **state)
{
	(void)state;
	assert_int_equal(lab_fragmentation_index(small_orders, LAB_MAX_ORDER), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unusable_index_host_dma),
		cmocka_unit_test(test_unusable_index_host_dma32),
		cmocka_unit_test(test_unusable_index_host_normal),
		cmocka_unit_test(test_fragmentation_index_suitable_block_is_minus_1000),
		cmocka_unit_test(test_fragmentation_index_small_blocks),
		cmocka_unit_test(test_fragmentation_index_small_orders_satisfiable),
		cmocka_unit_test(test_unusable_index_small_orders),
		cmocka_unit_test(test_fragmentation_index_order0_only),
		cmocka_unit_test(test_fragmentation_index_four_order8_blocks),
		cmocka_unit_test(test_fragmentation_index_can_be_minus_500),
		cmocka_unit_test(test_fragmentation_index_empty_is_zero),
		cmocka_unit_test(test_unusable_index_empty_is_1000),
		cmocka_unit_test(test_extfrag_for_order_host),
		cmocka_unit_test(test_indices_no_block_of_order9),
		cmocka_unit_test(test_extfrag_for_order_empty_is_zero),
		cmocka_unit_test(test_fragmentation_index_order_too_large_is_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
