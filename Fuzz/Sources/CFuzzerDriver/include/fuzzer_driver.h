/* The entry point of a fuzz executable: SwiftPM links executables with main defined as
 * <target>_main (--defsym), so each target's <target>_main calls this, which hands
 * control to libFuzzer's driver with the target's LLVMFuzzerTestOneInput. */
#ifndef GB_FUZZER_DRIVER_H
#define GB_FUZZER_DRIVER_H
int gb_fuzz_run_driver(int argc, char **argv);
#endif
