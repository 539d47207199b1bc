/* libFuzzer target: the helper's config reader and validator on any input. */
#include <stddef.h>
#include <stdint.h>

#include "../config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct config c;
  char err[256];
  config_parse((const char *)data, size, &c, err, sizeof err);
  config_free(&c);
  return 0;
}
