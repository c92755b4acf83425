using Xunit;

// Serial on purpose: the leak tests read process-wide counters (live native handles, /proc/self/fd) that parallel
// tests would disturb, and the RTU timing assertions need the machine's two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
