// The multi-process tests start up to four worker processes each and judge leases by elapsed time: run the classes one
// after another so that they do not starve each other of CPU on a small CI machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
