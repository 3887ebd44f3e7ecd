/* eku_version(): the version of the linked library (eku/version.h). */
#include <eku/version.h>

const char *eku_version(void)
{
	return EKU_VERSION;
}
