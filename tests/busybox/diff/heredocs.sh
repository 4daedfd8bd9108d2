# Here-documents: expansion, quoting, tab stripping, in pipelines and functions, large ones.
name=world
cat <<EOT
hello $name
sum $((2 + 3))
cmd $(echo substituted)
escaped \$name
EOT
cat <<'EOT'
literal $name $(echo no)
EOT
cat <<"EOT"
also literal $name
EOT
	cat <<-EOT
	tabs stripped
		twice
	EOT
cat <<EOT | tr a-z A-Z
piped $name
EOT
f() {
	cat <<EOT
in function: $1
EOT
}
f arg
cat <<A; cat <<B
first
A
second
B
while read -r w; do echo "word: $w"; done <<EOT
alpha
beta
EOT
# Larger than a pipe buffer.
i=0
{
	while [ $i -lt 3000 ]; do
		echo "line $i of a long here-document padded xxxxxxxxxxxxxxxxxxxxxxxxxx"
		i=$((i + 1))
	done
} >/dev/null
big=$(seq 1 20000)
cat <<EOT | wc -l
$big
EOT
cat <<EOT | md5sum
$big
EOT
read -r x <<EOT
single
EOT
echo "$x"
