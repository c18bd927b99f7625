// lockcheck: finds locks held across blocking work. Everything lives in the library
// (checker/lib) so that tests link the same code; this file only hands over argv.
#include "driver/driver.h"

int main(int argc, char **argv) { return lockcheck::runLockcheck(argc, argv); }
