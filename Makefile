# Day-to-day targets; ./demo.sh and ./test.sh remain the entry points.
.PHONY: build test unit asan fuzz bench format clean
build:
	cmake -S . -B build -G Ninja >/dev/null && ninja -C build
test:
	./test.sh
unit: build
	ctest --test-dir build -L unit --output-on-failure -j2
asan:
	cmake -S . -B build-asan -G Ninja -DSLUICE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	ninja -C build-asan common_tests etl_tests && ctest --test-dir build-asan -L unit --output-on-failure
fuzz:
	fuzz/run.sh 60
bench: build
	bench/etl/run.sh
format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')
clean:
	rm -rf build build-asan build-fuzz
