#include "common/thread_name.h"

#include <pthread.h>

#include <cstring>
#include <string>

namespace slussen {

void NameThisThread(const char* name) {
  // The kernel takes 15 characters and a NUL; a longer name would be refused (ERANGE).
  const std::string shortened(name, strnlen(name, 15));
  (void)pthread_setname_np(pthread_self(), shortened.c_str());
}

}  // namespace slussen
