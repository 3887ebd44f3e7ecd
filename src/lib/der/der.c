/* Strict DER TLVs (X.690 section 10.1: definite, shortest lengths). */
#include "der.h"

int eku_der_peek(const eku_cursor *c)
{
	return c->left == 0 ? -1 : c->p[0];
}
