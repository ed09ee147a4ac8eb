# The `plasticore train` options the PCM studies share (sourced, not run): scripts/pcm_programming_study.sh,
# scripts/pcm_ablation_study.sh, scripts/hil_validation_study.sh. Their cached runs compare command strings
# (scripts/run_queue.sh), so a change here reruns every study run that uses it.
hil="--set substrate.kind=pcm --set substrate.training=hardware_in_the_loop"  # PCM in the loop, the defaults
every="--set substrate.reprogram=every_update"
exact_io="--set substrate.dac_bits=0 --set substrate.adc_bits=0 --set substrate.output_noise=0"
clean="--set substrate.read_noise=false --set substrate.drift=false $exact_io"  # programming error only
