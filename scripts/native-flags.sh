# Sourced by the build scripts: the one definition of the fast x86-64 build's flags.
# x86-64-v3 (AVX2, BMI1/2, FMA, …; Haswell and Zen 1 onwards) plus ADX, which v3 omits but
# ark-ff's mulx/adcx/adox Montgomery multiplication needs. algebra/native_build.py checks the
# same features (V3_CPU_FLAGS) before it loads this build.
ZKM_V3_RUSTFLAGS="-C target-cpu=x86-64-v3 -C target-feature=+adx"
ZKM_V3_DIR="algebra/_native_builds/x86-64-v3"
