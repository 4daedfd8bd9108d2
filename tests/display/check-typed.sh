# Waits (up to 20 s) for the two lines the shell on the screen is made to write to /tmp/typed
# (tests/display/screen_test.sh events), and says what they are.
i=0
while [ "$(wc -l < /tmp/typed 2>/dev/null)" != 2 ] && [ $i -lt 20 ]; do
	sleep 1
	i=$((i + 1))
done
sed 's/^/typed: /' /tmp/typed
