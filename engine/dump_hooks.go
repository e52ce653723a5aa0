package engine

// collectionCodec is one collection type's DUMP/RESTORE pair: dump fills a
// payload from a live collection; restore writes a payload's elements into
// a fresh collection (from newCollection, TTL already set) and puts it.
type collectionCodec struct {
	dump    func(tx *Tx, e *Entry, p *payload) error
	restore func(tx *Tx, e *Entry, p *payload) error
}

// collectionCodecs lists the collection types DUMP and RESTORE handle.
var collectionCodecs = map[Type]collectionCodec{
	TypeHash: {(*Tx).dumpHash, (*Tx).restoreHash},
	TypeList: {(*Tx).dumpList, (*Tx).restoreList},
	TypeSet:  {(*Tx).dumpSet, (*Tx).restoreSet},
	TypeZSet: {(*Tx).dumpZSet, (*Tx).restoreZSet},
}
