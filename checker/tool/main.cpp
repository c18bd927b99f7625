// lockcheck: finds locks held across blocking work. Everything lives in the library
// (checker/lib) so that tests link the same code; this file only hands over argv.
#include "report/compare.h"
#include "driver/driver.h"
#include "report/output_file.h"

#include <iostream>
#include <string>

int main(int argc, char **argv) {
  if (argc > 1 && std::string(argv[1]) == "compare") {
    int status = lockcheck::runCompare(std::vector<std::string>(argv + 2, argv + argc), std::cout, std::cerr);
    if (std::string error; !lockcheck::flushStandardOutput(error)) {
      std::cerr << "lockcheck: error: " << error << "\n";
      return 2;
    }
    return status;
  }
  return lockcheck::runLockcheck(argc, argv);
}
